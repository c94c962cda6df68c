/*
 * backprop-derived: the search page's results (issue 15, item 3). Sphinx writes this file, html_search_scorer in
 * conf/conf.py, into _static/language_data.js, which search.html loads right after Sphinx's searchtools.js; so it
 * can both set the Scorer (Sphinx's extension point for ranking) and change two functions of the `Search` object.
 * conf/search_results.py fails the build if searchtools.js, or the order in which the theme's search.html loads the
 * two scripts, is no longer what this file was written for.
 *
 * 1. A page whose title holds every word searched for comes first ("transpose" finds "Where the transpose comes
 *    from" first, not third after two pages that only have the word in a section title).
 * 2. A section whose title holds every word is a result of its own, linked to page.html#section. (Sphinx links a
 *    section only when the query is at least half its title, which a one-word search almost never is.)
 * 3. A result's summary is the text of the article, or of its section, after its title: not the theme's chrome
 *    around it (the colour menu's "System Settings Light Dark", the footer), and each formula once, as plain text
 *    ("dW[2] = 1/m dZ[2]A[1]ᵀ"). Sphinx takes the textContent of the whole page, where KaTeX writes each formula
 *    three times: its MathML, the TeX source annotated there, and the HTML drawn on screen.
 * 4. A page found by words of its text, not of its title, links the section where they are: the first section, in
 *    reading order, whose text has every searched word and none of whose subsections has them all. Its title says
 *    so ("Page > Section") and its summary is that section's. (Sphinx's index records the pages a word is on, not the
 *    sections: the page itself, fetched for its summary, is where the section is found.)
 * A section result's title is the section's title as plain text too: conf/search_results.py writes the index so.
 */
var Scorer = {
  // Sphinx's own weights (searchtools.js, Sphinx 9), which this file replaces.
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
  // The page's own title holds every searched word: above every other kind of match.
  pageTitle: 100,
  // A section's title holds every searched word: above a page that has the word only in its text or in one of its
  // section titles (Scorer.title), below a page whose title has it.
  sectionTitle: 20,
  // … and more when the title of its page has every word too: the sections of the page found first follow it.
  sectionOfFoundPage: 5,

  // The stemmed words of the current search, set by Search._performSearch below before Sphinx scores.
  words: new Set(),

  /** Whether every searched word begins one of the words of `title` (both stemmed, as Sphinx stems them). */
  titleHasEveryWord: (title) => {
    if (!Scorer.words.size || !title) return false;
    const stemmer = new Stemmer();
    const inTitle = splitQuery(title.toLowerCase()).map((word) => stemmer.stemWord(word));
    return [...Scorer.words].every((word) =>
      inTitle.some((own) => own === word || (word.length > 2 && own.startsWith(word))));
  },

  /** [docname, title, anchor, descr, score, filename, kind] -> score: the page-title boost of point 1. */
  score: (result) => {
    const [, title, anchor, , score] = result;
    return !anchor && Scorer.titleHasEveryWord(title) ? score + Scorer.pageTitle : score;
  },
};

/** A formula's MathML as one line of plain text, written as the site writes math in text: dW[2] = 1/m dZ[2] A[1]ᵀ. */
const _mathText = (node) => {
  const parts = [...node.children].map(_mathText);
  // A script is written tight ("A[l−1]T"); a fraction is followed by a space ("1/m dZ").
  const script = (index) => parts[index].replace(/\s+/g, "");
  // An operator with limits (∑_k) is followed by a space, before what it sums.
  const after = node.firstElementChild && node.firstElementChild.localName === "mo" ? " " : "";
  const grouped = (text) => (/[\s+\-−=/,·⊙*]/.test(text) && !/^\(.*\)$/.test(text) ? `(${text})` : text);
  // As conf/public_links.py writes math in text: W[l]ᵀ, A[l−1]ᵀ, x², g′, e^(−z).
  const raised = (base, over) => {
    if (/^(\[[^\]]*\])?T$/.test(over)) return `${base}${over.slice(0, -1)}ᵀ`;
    if (/^[[(′'*]/.test(over)) return base + over;
    if (/^[-−]?\d+$/.test(over))
      return base + [...over].map((c) => "⁻⁻⁰¹²³⁴⁵⁶⁷⁸⁹"["-−0123456789".indexOf(c)]).join("");
    return `${base}^${grouped(over)}`;
  };
  const accents = { "^": "\u0302", "ˆ": "\u0302", "ˉ": "\u0304", "¯": "\u0304", "~": "\u0303", "˜": "\u0303",
    "˙": "\u0307" };
  switch (node.localName) {
    case "annotation":
    case "annotation-xml":
    case "mphantom":
      return "";
    case "mi":
    case "mn":
    case "mtext":
    case "ms":
      return node.textContent.replace(/\s+/g, " ");
    case "mspace":
      return " ";
    case "mo": {
      const operator = node.textContent.trim();
      if (node.getAttribute("separator") === "true" || operator === ",") return `${operator} `;
      return /^[=+−<>≤≥≈≠→×·⊙∗]$/.test(operator) ? ` ${operator} ` : operator;
    }
    case "mfrac":
      return `${grouped(parts[0].trim())}/${grouped(parts[1].trim())} `;
    case "msqrt":
      return `√${grouped(parts.join("").trim())}`;
    case "mroot":
      return `${script(1)}√${grouped(parts[0].trim())}`;
    case "msup":
      return raised(parts[0], script(1));
    case "munder":
      if (/^[⏟⏞]$/.test(script(1))) return parts[0]; // \underbrace's brace
      if (/^(munder|mover)$/.test(node.firstElementChild.localName)) return `${parts[0]} (${script(1)}) `; // its note
    // falls through
    case "msub":
      return `${parts[0]}_${grouped(script(1))}${after}`;
    case "msubsup":
    case "munderover":
      return `${raised(`${parts[0]}_${grouped(script(1))}`, script(2))}${after}`;
    case "mover":
      if (node.getAttribute("accent") === "true" && accents[script(1)]) return parts[0] + accents[script(1)];
      if (/^[⏞⏟]$/.test(script(1))) return parts[0]; // \overbrace's brace
      if (/^(munder|mover)$/.test(node.firstElementChild.localName)) return `${parts[0]} (${script(1)}) `;
      return raised(parts[0], script(1));
    case "mtr":
      return `${parts.join("")} `;
    default: // math, semantics, mrow, mstyle, mpadded, menclose, mtable, mtd, …
      return parts.join("");
  }
};

/** The article of a page's HTML, or null (with a warning). The last page's is kept: a result's summary reads the
 * page that finding its section (point 4) has just read, and neither changes the article (`_prose` reads a copy). */
let _lastPage = { html: null, article: null };
const _article = (htmlString) => {
  if (_lastPage.html === htmlString) return _lastPage.article;
  const page = new DOMParser().parseFromString(htmlString, "text/html");
  const article = page.querySelector('[role="main"] article');
  if (!article)
    console.warn("backprop-derived search: no <article> in the main part of the page (see conf/search_results.js)");
  _lastPage = { html: htmlString, article };
  return article;
};

/** The prose of `element` (left unchanged) as one line, each formula once as plain text; without its heading. */
const _prose = (element) => {
  const root = element.cloneNode(true);
  // Chrome, and the code of the page's cells (a summary is prose; the words of the code still find the page).
  root.querySelectorAll(".headerlink, script, style, button, .cell_input, .copy-link-pair, .report-error")
    .forEach((node) => node.remove());
  const heading = root.querySelector("h1, h2, h3, h4, h5, h6");
  if (heading) heading.remove(); // the result's title says it already
  root.querySelectorAll(".katex").forEach((formula) => {
    const math = formula.querySelector(".katex-mathml math");
    const text = math ? _mathText(math).replace(/\s+/g, " ").replace(/ ([,.;:)\]])/g, "$1").trim() : "";
    formula.replaceWith(formula.closest(".katex-display") ? ` ${text} ` : text); // a display formula: its own words
  });
  return root.textContent.replace(/\s+/g, " ").trim();
};

Search.htmlToText = (htmlString, anchor) => {
  const article = _article(htmlString);
  if (!article) return "";
  return _prose((anchor && article.querySelector(anchor)) || article);
};

/** A heading's text, each formula as plain text, without its "#" link. */
const _headingText = (heading) => {
  const box = document.createElement("div");
  box.append(...[...heading.cloneNode(true).childNodes]);
  return _prose(box);
};

/** Point 4: the section of the page in `htmlString` where every one of `words` is, or null. */
const _sectionWithEveryWord = (htmlString, words) => {
  const article = _article(htmlString);
  if (!article || !words.length) return null;
  const pageTitle = article.querySelector("h1");
  if (pageTitle && Scorer.titleHasEveryWord(_headingText(pageTitle))) return null; // point 1: the page is about it
  const hasEvery = (section) => {
    const text = _prose(section).toLowerCase();
    return words.every((word) => text.includes(word));
  };
  const found = [...article.querySelectorAll("section section[id]")].filter(hasEvery);
  const innermost = found.find((section) => !found.some((other) => other !== section && section.contains(other)));
  if (!innermost) return null;
  const heading = innermost.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4, :scope > h5, :scope > h6");
  return { id: innermost.id, title: heading ? _headingText(heading) : innermost.id };
};

const _sphinxMakeSearchSummary = Search.makeSearchSummary;

Search.makeSearchSummary = (htmlText, keywords, anchor) => {
  const words = [...keywords].map((word) => word.toLowerCase());
  const section = anchor ? null : _sectionWithEveryWord(htmlText, words);
  const summary = _sphinxMakeSearchSummary(htmlText, keywords, section ? `#${section.id}` : anchor);
  if (section) {
    // searchtools.js appends the summary to its result right after this returns; then its link is changed.
    queueMicrotask(() => {
      const link = summary.parentNode && summary.parentNode.querySelector("a");
      if (!link || link.hash) return;
      link.setAttribute("href", `${link.getAttribute("href")}#${section.id}`);
      link.textContent += ` > ${section.title}`;
    });
  }
  return summary;
};

// A one-letter word of the query (the m of "1/m") still finds pages, but is not highlighted: every m of every
// summary, and of the page a result opens, would be.
const _sphinxParseQuery = Search._parseQuery;

Search._parseQuery = (query) => {
  const parsed = _sphinxParseQuery(query);
  const highlightTerms = parsed[3];
  [...highlightTerms].filter((term) => term.length < 2).forEach((term) => highlightTerms.delete(term));
  if (typeof SPHINX_HIGHLIGHT_ENABLED !== "undefined" && SPHINX_HIGHLIGHT_ENABLED)
    localStorage.setItem("sphinx_highlight_terms", [...highlightTerms].join(" "));
  return parsed;
};

const _sphinxPerformSearch = Search._performSearch;

Search._performSearch = (query, searchTerms, excludedTerms, highlightTerms, objectTerms) => {
  Scorer.words = new Set(searchTerms);
  const results = _sphinxPerformSearch(query, searchTerms, excludedTerms, highlightTerms, objectTerms);
  const { alltitles, titles, docnames, filenames } = Search._index;
  for (const [title, places] of Object.entries(alltitles)) {
    if (!Scorer.titleHasEveryWord(title) || [...excludedTerms].some((word) => title.toLowerCase().includes(word)))
      continue;
    for (const [file, id] of places) {
      if (id === null) continue; // the page's own title: point 1
      const score = Scorer.sectionTitle + (Scorer.titleHasEveryWord(titles[file]) ? Scorer.sectionOfFoundPage : 0);
      results.push([docnames[file], `${titles[file]} > ${title}`, `#${id}`, null, score, filenames[file],
        SearchResultKind.title]);
    }
  }
  // One result per page and anchor, with its highest score; in Sphinx's order (lowest score first: shown last).
  const best = new Map();
  for (const result of results) {
    const key = `${result[0]}${result[2]}`;
    if (!best.has(key) || best.get(key)[4] < result[4]) best.set(key, result);
  }
  return [...best.values()].sort(_orderResultsByScoreThenName);
};
