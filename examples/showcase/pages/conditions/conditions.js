Page({
  data: {
    score: 45,
    showBlock: true,
    visible: true
  },
  onScore() {
    this.setData({ score: (this.data.score + 15) % 105 })
  },
  onToggle() {
    this.setData({ visible: !this.data.visible, showBlock: !this.data.showBlock })
  }
})
