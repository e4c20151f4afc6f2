// The API, read with the tab's read token. The token lives in sessionStorage (this tab only,
// gone when it closes or on sign-out) and travels only in the Authorization header: never in a
// URL, so no history entry, log line or Referer carries it.

const kTokenKey = 'vigia.read-token';

export class AuthError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status; // 401 none or unknown, 403 a token of the wrong kind
  }
}

export const token = {
  get: () => sessionStorage.getItem(kTokenKey),
  set: (value) => sessionStorage.setItem(kTokenKey, value),
  forget: () => sessionStorage.removeItem(kTokenKey),
};

// "/api/v1/x" with the non-empty `params` as its query string.
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function request(path, params) {
  const headers = {};
  const t = token.get();
  if (t) headers.Authorization = `Bearer ${t}`;
  const response = await fetch(apiUrl(path, params), { headers, credentials: 'omit', cache: 'no-store' });
  if (response.status === 401 || response.status === 403) {
    const body = await response.json().catch(() => ({}));
    throw new AuthError(response.status, body.detail || response.statusText);
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(`${path}: ${response.status} ${body.detail || response.statusText}`);
  }
  return response;
}

export async function apiGet(path, params) {
  return (await request(path, params)).json();
}

// Saves a list's CSV (every matching item) as a file: fetched with the token, then handed to
// the browser as a blob, since a plain link could not carry the header.
export async function downloadCsv(path, params, filename) {
  const response = await request(path, { ...params, format: 'csv', limit: undefined, cursor: undefined });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
