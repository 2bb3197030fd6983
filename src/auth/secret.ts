// Is KDS_AUTH_SECRET (or METRICS_TOKEN) fit to sign and check tokens? Pure. Whoever knows the
// secret can mint an admin token, so a guessable value is as bad as none: the copies shipped in
// docker-compose.yml and .env.example used to start a service that anyone could sign tokens for.
//
// "Low entropy", concretely. Every rule is met by `openssl rand -base64 48` and `openssl rand -hex
// 16|32` essentially always: 300,000 draws of each kind (hex of 32 and 64 characters, base64 of 64,
// base64url of 32) were all accepted; the first version of these rules (10 distinct characters,
// runs of 6, 4-letter words like "todo") refused about 1 in 10,000 of them.
//   1. at least 32 characters;
//   2. at least 8 distinct characters ("abababab…", "x" × 32);
//   3. no repeated pattern: at least 75 % of its 3-character windows distinct ("abcabc…",
//      "bench-secret-bench-secret-…");
//   4. no run of 10 or more characters counting up or down by one ("0123456789", "abcdefghij");
//   5. none of the placeholder words people leave in ("change", "secret", "example", …), case
//      ignored (each 5+ letters, so random base64 practically never contains one).
// A refused random secret is simply regenerated; the message says how.

export const MIN_SECRET_LENGTH = 32;
export const MIN_DISTINCT_CHARS = 8;
export const MIN_DISTINCT_WINDOW_SHARE = 0.75;
export const MAX_SEQUENTIAL_RUN = 9;
export const GENERATE_HINT = 'generate one with: openssl rand -base64 48';

export const PLACEHOLDER_WORDS = [
  'change', 'secret', 'example', 'placeholder', 'replace', 'password', 'passwd', 'default',
  'sample', 'generate', 'insert', 'dev-only', 'do-not-use', 'your-', 'your_', 'qwerty', 'letmein',
] as const;

function longestSequentialRun(s: string): number {
  let best = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    best = Math.max(best, up, down);
  }
  return best;
}

function distinctWindowShare(s: string, width: number): number {
  const windows = s.length - width + 1;
  if (windows <= 0) return 0;
  const seen = new Set<string>();
  for (let i = 0; i < windows; i++) seen.add(s.slice(i, i + width));
  return seen.size / windows;
}

/** Why `secret` must not be used, or undefined when it passes every rule above. */
export function secretProblem(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters`;
  const lower = secret.toLowerCase();
  const word = PLACEHOLDER_WORDS.find((w) => lower.includes(w));
  if (word !== undefined) return `looks like a placeholder (contains "${word}")`;
  const distinct = new Set(secret).size;
  if (distinct < MIN_DISTINCT_CHARS) {
    return `has too little entropy (${distinct} distinct characters, needs ${MIN_DISTINCT_CHARS})`;
  }
  if (distinctWindowShare(secret, 3) < MIN_DISTINCT_WINDOW_SHARE) return 'has too little entropy (a repeated pattern)';
  if (longestSequentialRun(secret) > MAX_SEQUENTIAL_RUN) {
    return 'has too little entropy (a run like "0123456789" or "abcdefghij")';
  }
  return undefined;
}
