// Placeholder page script (infra worktree; the lead's pages replace it):
// loads the package through the import map and shows that it initialised.
import init, { normalize } from 'pseudolink';

await init();
const status = document.getElementById('status');
try {
    normalize('email', 'not an address');
    status.textContent = 'ready';
} catch (e) {
    // An error with a code means the package works (the stub normalisers refuse).
    status.textContent = e.code ? 'ready' : `error: ${e.message}`;
}
status.dataset.ready = 'true';
