// ES module syntax and CommonJS in one file, as the platform's compiler allows.
import { mean } from '../lib/mini-stats.min.js';

export function money(n) {
  return '¥' + n.toFixed(2);
}

module.exports.average = function (list) {
  return money(mean(list));
};
