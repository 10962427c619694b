export const n = 6;
function down(k) { try { return down(k + 1) } catch (e) { return globalThis.next(7) } }
down(0);
