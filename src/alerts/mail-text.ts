// Text that came from outside (Kafka records, order-service answers, error messages quoting them)
// as it may appear in a failure mail: on one line, every character visible. Without this an
// `eventId` (any 1-64 characters, newlines included, src/events/decode.ts) could add lines to the
// on-call's mail, such as a fake replay command, and direction controls could reorder what is read.
// Pure; both mail renderers (digest-render.ts, outage-render.ts) use it for every such value.

// C0 and C1 controls, DEL, the line and paragraph separators, and the invisible format
// characters that change how text is ordered or joined (bidi marks, embeddings, overrides and
// isolates; zero-width space/joiners; the BOM)
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  return SHORT[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * One line, controls shown as escapes (`\n`, `\u202e`), a backslash doubled so an escape cannot
 * be forged either; longer than `max` characters is cut with an ellipsis.
 */
export function mailSafe(s: string, max = 500): string {
  const shown = s.replace(/\\/g, '\\\\').replace(UNSAFE, escapeOne);
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}
