Page({
  data: {
    fruits: [
      { id: 1, name: 'apple' },
      { id: 2, name: 'banana' },
      { id: 3, name: 'cherry' }
    ],
    groups: [
      { title: 'Frontend', members: ['Ann', 'Bo'] },
      { title: 'Backend', members: ['Cy'] }
    ],
    scores: { math: 90, art: 75 }
  },
  onShuffle() {
    const fruits = this.data.fruits.slice()
    fruits.push(fruits.shift())
    this.setData({ fruits })
  }
})
