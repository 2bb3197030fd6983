// The words a kitchen slip prints, in the languages the pages have (src/pages/i18n/): the same
// labels as the kitchen page's tickets (`ticket.table`, `ticket.takeaway`, `ticket.delivery`,
// `ticket.pickup`, `platform.*`), so a cook reads the same thing on paper as on the screen.
// `BACKUP` and `REPRINT` stay as the contract names them, in every language.
import type { PageLanguage } from '../merchant-settings/language';

export interface SlipText {
  table(tableNo: string): string;
  takeaway: string;
  delivery: string;
  pickup(time: string): string;
}

const TEXT: Record<PageLanguage, SlipText> = {
  'zh-CN': {
    table: (t) => `${t} 号桌`,
    takeaway: '外带',
    delivery: '外卖',
    pickup: (time) => `${time} 取餐`,
  },
  en: {
    table: (t) => `Table ${t}`,
    takeaway: 'Take-away',
    delivery: 'Delivery',
    pickup: (time) => `Pickup ${time}`,
  },
};

/** Platforms the pages name (both catalogues say 美团 and 饿了么); any other is printed as given. */
const PLATFORMS: Readonly<Record<string, string>> = { meituan: '美团', eleme: '饿了么' };

export function slipText(language: PageLanguage): SlipText {
  return TEXT[language];
}

export function platformName(platform: string): string {
  return PLATFORMS[platform] ?? platform;
}
