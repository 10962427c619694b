export const n = 5;
function down(k) { try { return down(k + 1) } catch (e) { return globalThis.next(6) } }
down(0);
