// Dishes, notes and tables for generated orders. Unicode names and notes on purpose: the KDS
// must carry any guest text from the order service to the screens byte for byte.

export interface Dish {
  dishId: string;
  name: string;
  station: string | null;
}

export const STATIONS = ['wok', 'grill', 'cold', 'bar', 'fryer'] as const;

export const DISHES: readonly Dish[] = [
  { dishId: 'D001', name: 'Kung Pao Chicken', station: 'wok' },
  { dishId: 'D002', name: 'Mapo Tofu 麻婆豆腐', station: 'wok' },
  { dishId: 'D003', name: 'Beef Chow Fun 干炒牛河', station: 'wok' },
  { dishId: 'D004', name: 'Egg Fried Rice', station: 'wok' },
  { dishId: 'D010', name: 'Ribeye Steak', station: 'grill' },
  { dishId: 'D011', name: 'Yakitori 焼き鳥', station: 'grill' },
  { dishId: 'D012', name: 'Halloumi Skewers', station: 'grill' },
  { dishId: 'D013', name: 'Bulgogi 불고기', station: 'grill' },
  { dishId: 'D020', name: 'Caesar Salad', station: 'cold' },
  { dishId: 'D021', name: 'Smashed Cucumber 拍黄瓜', station: 'cold' },
  { dishId: 'D022', name: 'Salade Niçoise', station: 'cold' },
  { dishId: 'D023', name: 'Tuna Tataki', station: 'cold' },
  { dishId: 'D030', name: 'Bubble Tea 珍珠奶茶', station: 'bar' },
  { dishId: 'D031', name: 'Fresh Lemonade', station: 'bar' },
  { dishId: 'D032', name: 'Piña Colada', station: 'bar' },
  { dishId: 'D033', name: 'Espresso', station: 'bar' },
  { dishId: 'D040', name: 'French Fries', station: 'fryer' },
  { dishId: 'D041', name: 'Tempura 天ぷら', station: 'fryer' },
  { dishId: 'D042', name: 'Spring Rolls 春卷', station: 'fryer' },
  { dishId: 'D050', name: 'Bread Basket', station: null },
];

/**
 * Prep targets of the demo menu (PUT /api/merchants/{id}/menu/{dishId}): seconds per dish, and
 * the short name cooks read. Fast drinks and cold dishes, slow grills.
 */
export const PREP_TARGETS: Readonly<Record<string, { prepSeconds: number; shortName: string }>> = {
  D001: { prepSeconds: 420, shortName: '宫保' }, D002: { prepSeconds: 360, shortName: '麻婆' }, D003: { prepSeconds: 420, shortName: '牛河' },
  D004: { prepSeconds: 240, shortName: 'Fried rice' }, D010: { prepSeconds: 900, shortName: 'Ribeye' }, D011: { prepSeconds: 600, shortName: '焼き鳥' },
  D012: { prepSeconds: 480, shortName: 'Halloumi' }, D013: { prepSeconds: 600, shortName: '불고기' }, D020: { prepSeconds: 180, shortName: 'Caesar' },
  D021: { prepSeconds: 120, shortName: '拍黄瓜' }, D022: { prepSeconds: 240, shortName: 'Niçoise' }, D023: { prepSeconds: 300, shortName: 'Tataki' },
  D030: { prepSeconds: 90, shortName: '奶茶' }, D031: { prepSeconds: 60, shortName: 'Lemonade' }, D032: { prepSeconds: 120, shortName: 'Colada' },
  D033: { prepSeconds: 45, shortName: 'Espresso' }, D040: { prepSeconds: 300, shortName: 'Fries' }, D041: { prepSeconds: 420, shortName: '天ぷら' },
  D042: { prepSeconds: 360, shortName: '春卷' },
};

// Mostly no note; a few realistic ones, including emoji and non-Latin scripts.
export const NOTES: readonly (string | null)[] = [
  null, null, null, null, null, null, null,
  'less spicy 🌶️',
  'extra spicy 🌶️🌶️🌶️',
  'no peanuts (allergy!)',
  '不要香菜',
  'sauce on the side',
  'gluten-free 🙏',
  'well done',
  'for the kid — small portion',
  'ohne Zwiebeln, bitte',
];

export const TABLE_AREAS = ['A', 'B', 'C', 'T'] as const;
