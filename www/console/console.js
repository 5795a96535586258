// The company's staff console: the company's own customer directory as an
// identity graph (households, corporate families, value per view, segments),
// built in a Web Worker on the first visit and kept in this browser, and the
// partner matches the linkage service reports about the company's own rows.
// The worker does the graph work; the page draws its summaries.
import { DirectoryView } from '/console/directory.js';
import { MatchesView } from '/console/matches.js';

const $ = (sel) => document.querySelector(sel);
const DIRECTORY_URL = '/console/demo-directory.json';

let worker = null;
let directoryView = null;
let matchesView = null;

/** A worker holding the directory graph; a new one after "forget". */
function spawnWorker({ forget = false } = {}) {
  worker?.terminate();
  worker = new Worker('/console/worker.js', { type: 'module' });
  worker.onmessage = (ev) => onMessage(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault();
    $('#directoryStatus').className = 'status bad';
    $('#directoryStatus').replaceChildren('The directory worker stopped unexpectedly. ', Object.assign(document.createElement('code'), { textContent: 'console.worker_failed' }));
    $('#forget').disabled = false;
  };
  $('#forget').disabled = true;
  directoryView.opening(forget);
  worker.postMessage({ type: 'open', directoryUrl: DIRECTORY_URL, forget });
  // A run chosen before is mapped again by this worker (it waits for its directory).
  matchesView?.ask();
}

function onMessage(m) {
  if (directoryView.handle(m)) {
    if (m.type === 'directory' || m.type === 'directoryError') $('#forget').disabled = false;
    return;
  }
  matchesView.handle(m);
}

function main() {
  directoryView = new DirectoryView({ post: (m) => worker?.postMessage(m) });
  matchesView = new MatchesView({ post: (m) => worker?.postMessage(m) });
  spawnWorker();
  $('#forget').addEventListener('click', () => spawnWorker({ forget: true }));
  matchesView.refresh();
  $('#status').textContent = 'Staff only: our customers and what they are worth.';
  $('#status').classList.add('ready');
  document.body.dataset.ready = 'true';
}

main();
