Page({
  data: {
    features: [
      { title: 'Data bindings', path: '/pages/bindings/bindings' },
      { title: 'wx:if and hidden', path: '/pages/conditions/conditions' },
      { title: 'wx:for lists', path: '/pages/lists/lists' },
      { title: 'Templates, import, include', path: '/pages/templates/templates' },
      { title: 'Events', path: '/pages/events/events', isNew: true },
      { title: 'Basic components', path: '/pages/basics/basics' },
      { title: 'Form controls and pickers', path: '/pages/controls/controls', isNew: true },
      { title: 'Swiper, movable view, rich text', path: '/pages/media/media', isNew: true },
      { title: 'View APIs: sheets, queries, observers', path: '/pages/apis/apis', isNew: true },
      { title: 'Custom components: slots, relations, events', path: '/pages/components/components', isNew: true },
      { title: 'Network and location', path: '/pages/network/network', isNew: true },
      { title: 'About (subpackage)', path: '/packageExtra/pages/about/about' }
    ]
  }
})
