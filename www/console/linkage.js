// The linkage service as the company sees it: where it runs (asked from the
// pages server), the project, the partners' runs, and one run's links about
// the company's own upload rows. Every failure is a LinkageError with a stable
// code (the service's own, or one of this module's) and a message for people.

/** Messages for people, by code; the code is always shown next to them. */
export const LINKAGE_ERROR_TEXT = {
  'linkage.not_configured': 'The linkage service is not running on this server, so there are no partner matches to show.',
  // A browser cannot tell a service that is down from one that refuses this page's origin (CORS).
  'linkage.unreachable': 'The linkage service did not answer, or does not accept calls from this page\'s origin.',
  'linkage.bad_response': 'The linkage service answered with something this console cannot read.',
  'auth.missing': 'The console sent no credential.',
  'auth.invalid': 'The linkage service does not know the company\'s credential.',
  'auth.revoked': 'The company\'s credential has been revoked.',
  'origin.forbidden': 'The linkage service does not accept the company\'s credential from this page\'s origin.',
  'project.unknown': 'The linkage service has no such project.',
  'role.forbidden': 'The company\'s credential may not do this.',
  'run.unknown': 'The linkage service has no such run.',
  'run.no_directory': 'The company has not uploaded its directory yet.',
  'rate.limited': 'Too many requests to the linkage service; try again shortly.',
  'quota.exceeded': 'The company\'s daily quota at the linkage service is used up.',
  not_found: 'The linkage service does not know this address.',
};

export class LinkageError extends Error {
  constructor(code, status = 0) {
    super(LINKAGE_ERROR_TEXT[code] ?? 'The linkage service refused the request.');
    this.name = 'LinkageError';
    this.code = code;
    this.status = status;
  }
}

/** A response's JSON, or a LinkageError with the service's code. */
async function json(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: the status says what there is to say.
  }
  if (!res.ok) {
    const code = typeof body?.error === 'string' && /^[a-z_]+(\.[a-z_]+)*$/.test(body.error) ? body.error : `http.${res.status}`;
    throw new LinkageError(code, res.status);
  }
  if (body === null || typeof body !== 'object') throw new LinkageError('linkage.bad_response', res.status);
  return body;
}

/** The linkage service's endpoint from the pages server; `linkage.not_configured` without one. */
export async function linkageEndpoint(fetchImpl = fetch) {
  let res;
  try {
    res = await fetchImpl('/api/linkage-config', { headers: { Accept: 'application/json' } });
  } catch {
    throw new LinkageError('linkage.unreachable');
  }
  const body = await json(res);
  if (typeof body.endpoint !== 'string' || !/^https?:\/\/[^/]+$/.test(body.endpoint)) throw new LinkageError('linkage.bad_response', res.status);
  return body.endpoint;
}

/** Calls to one project of the linkage service with one party's credential. */
export class LinkageClient {
  constructor({ endpoint, apiKey, project, fetchImpl = fetch }) {
    this.base = `${endpoint}/v1/projects/${encodeURIComponent(project)}`;
    this.apiKey = apiKey;
    // Not a method of this object: the browser's fetch must be called unbound.
    this.fetch = (...args) => fetchImpl(...args);
  }

  async get(path) {
    let res;
    try {
      res = await this.fetch(`${this.base}${path}`, {
        headers: { Authorization: `Bearer ${this.apiKey}`, Accept: 'application/json' },
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new LinkageError('linkage.unreachable');
    }
    return json(res);
  }

  /** `{project, party, role, limits, usage, …}`. */
  project() {
    return this.get('');
  }

  /** The runs this party may read, newest first: `[{run, party, createdAt, linked}]`. */
  async runs() {
    const body = await this.get('/runs');
    if (!Array.isArray(body.runs)) throw new LinkageError('linkage.bad_response');
    return [...body.runs].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)) || (a.run < b.run ? -1 : 1));
  }

  /** One run as the directory party sees it: `{run, party, rows, links: [{row, probability}]}`. */
  async run(id) {
    const body = await this.get(`/runs/${encodeURIComponent(id)}`);
    if (!Array.isArray(body.links)) throw new LinkageError('linkage.bad_response');
    return body;
  }
}
