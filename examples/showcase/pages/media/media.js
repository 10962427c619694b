Page({
  data: {
    slides: ['#3b7ddd', '#07c160', '#fa9d3b'],
    current: 0,
    source: '',
    x: 0,
    y: 0,
    at: '0, 0',
    percent: 40,
    html: '<h3>Rich text</h3><p>Sanitised: <b>bold</b>, <i>italic</i>, <a href="javascript:alert(1)">a link without its script</a>.</p><script>never()</script>'
  },
  onSwipe(e) { this.setData({ current: e.detail.current, source: e.detail.source, percent: (e.detail.current + 1) * 33 }) },
  onMove(e) { this.setData({ at: Math.round(e.detail.x) + ', ' + Math.round(e.detail.y) }) },
  onCenter() { this.setData({ x: 100, y: 75 }) }
})
