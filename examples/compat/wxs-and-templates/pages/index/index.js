Page({ data: { done: 3, total: 8, flags: 6, shift: 4, label: 'total' } });
