Component({ properties: { n: Number } });
