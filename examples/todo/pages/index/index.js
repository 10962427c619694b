const store = require('../../utils/store.js')

function remainingOf(todos) {
  return todos.filter(t => !t.done).length
}

Page({
  data: {
    draft: '',
    todos: [],
    remaining: 0
  },

  onShow() {
    const todos = store.load()
    this.setData({ todos, remaining: remainingOf(todos) })
  },

  onDraft(e) {
    this.setData({ draft: e.detail.value })
  },

  onAdd() {
    const title = this.data.draft.trim()
    if (!title) return
    const todos = this.data.todos.concat({ id: store.nextId(this.data.todos), title, done: false })
    this.update(todos, { draft: '' })
  },

  onToggle(e) {
    const index = this.data.todos.findIndex(t => t.id === e.detail.id)
    if (index < 0) return
    const done = !this.data.todos[index].done
    const todos = this.data.todos.slice()
    todos[index] = Object.assign({}, todos[index], { done })
    // Only the changed row crosses to the view.
    this.setData({ [`todos[${index}].done`]: done, remaining: remainingOf(todos) })
    store.save(todos)
  },

  onRemove(e) {
    this.update(this.data.todos.filter(t => t.id !== e.detail.id))
  },

  update(todos, extra) {
    this.setData(Object.assign({ todos, remaining: remainingOf(todos) }, extra))
    store.save(todos)
  }
})
