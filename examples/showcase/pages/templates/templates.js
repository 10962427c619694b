Page({
  data: {
    card: { body: 'The data of a template comes from an object literal.' },
    tagTemplate: 'tag',
    tags: ['wxml', 'template', 'import']
  }
})
