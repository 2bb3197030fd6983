// The check behind the contract's "no text outside the catalogue": every visible text of a page
// outside translate="no", and its title, that no message of the page's language matches (a message's
// {placeholders} match anything).
import type { Page } from 'playwright-core';

/**
 * Run through evaluate as source: tsx would wrap named functions in a helper the page does not
 * have.
 */
export async function strayText(page: Page): Promise<{ lang: string; stray: string[] }> {
  return page.evaluate(`(async () => {
    const { CATALOGUES, language } = await import('/assets/i18n.js');
    const lang = language();
    const escape = (m) => m.replace(/[.*+?^$()|[\\]\\\\]/g, '\\\\$&').replace(/\\{\\w+\\}/g, '.+?').replace(/[{}]/g, '\\\\$&');
    const patterns = Object.values(CATALOGUES[lang]).map((m) => new RegExp('^' + escape(m) + '$', 's'));
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const e = n.parentElement;
      if (!e || e.closest('[translate="no"], script, style, [hidden]') || !e.checkVisibility()) continue;
      const text = n.textContent.trim();
      if (text) texts.push(text);
    }
    return { lang, stray: texts.filter((t) => !patterns.some((p) => p.test(t))) };
  })()`);
}
