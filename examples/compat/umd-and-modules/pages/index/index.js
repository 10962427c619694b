import * as stats from '../../lib/mini-stats.min.js';
const { average } = require('../../utils/format');

const prices = [12.5, 30, 7.25];

Page({
  data: { sum: 0, average: '', version: '', when: '', big: '' },
  onLoad() {
    // The legacy RegExp statics, read after a framework call.
    const stamp = '2024/01/02 10:00';
    /(\d+)\/(\d+)\/(\d+)/.test(stamp);
    console.log('parsed', stamp);
    const year = RegExp.$1;
    this.setData({
      sum: stats.sum(prices),
      average: average(prices),
      version: stats.version,
      when: `${year}: ${new Date(stamp).toLocaleDateString('zh-CN')}`,
      big: (1234567.891).toLocaleString(),
    });
  },
});
