// The index page: its text in the language i18n.js chose. Its language links (?lang=) set the
// choice every screen of this device then remembers.
import { translatePage } from './i18n.js';

translatePage();
