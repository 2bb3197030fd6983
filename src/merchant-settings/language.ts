// The merchant's default page language (contract "Screens in every kitchen"): one of the languages
// the pages have a catalogue for (src/pages/i18n/), or none (the browser's language decides).
import type { Connection, RowDataPacket } from 'mysql2/promise';

/** The catalogues of src/pages/i18n/; a language the pages do not have is refused (400). */
export const PAGE_LANGUAGES = ['zh-CN', 'en'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

export function pageLanguage(v: unknown): PageLanguage | undefined {
  return (PAGE_LANGUAGES as readonly unknown[]).includes(v) ? (v as PageLanguage) : undefined;
}

export async function upsertLanguage(db: Connection, merchantId: string, language: PageLanguage, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO merchant_languages (merchant_id, language, updated_at) VALUES (?, ?, ?)
     ON DUPLICATE KEY UPDATE language = VALUES(language), updated_at = VALUES(updated_at)`,
    [merchantId, language, at],
  );
}

export async function selectLanguage(db: Connection, merchantId: string): Promise<PageLanguage | null> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT language FROM merchant_languages WHERE merchant_id = ?', [merchantId]);
  return pageLanguage(rows[0]?.language) ?? null;
}
