// The to-do list lives in storage under one key, as an array of
// { id, title, done } objects.
const KEY = 'todos'

function load() {
  const saved = wx.getStorageSync(KEY)
  return Array.isArray(saved) ? saved : []
}

function save(todos) {
  wx.setStorageSync(KEY, todos)
}

function nextId(todos) {
  return todos.reduce((max, t) => Math.max(max, t.id), 0) + 1
}

module.exports = { load, save, nextId }
