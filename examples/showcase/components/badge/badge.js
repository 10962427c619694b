Component({
  options: {
    multipleSlots: false
  },
  properties: {
    text: { type: String, value: '' }
  }
})
