Component({
  properties: { title: String },
  data: { shown: false },
  relations: {
    '../tabs/tabs': { type: 'parent' }
  }
})
