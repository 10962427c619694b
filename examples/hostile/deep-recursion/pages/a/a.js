Page({ onLoad() { let depth = 0; function down() { depth++; down() } try { down() } catch (e) { this.setData({ depth: depth > 100 ? 'deep' : 'shallow' }) } } })
