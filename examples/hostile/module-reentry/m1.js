export const n = 1;
function down(k) { try { return down(k + 1) } catch (e) { return globalThis.next(2) } }
down(0);
