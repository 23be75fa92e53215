// A stand-in for the GitHub REST API's issue comments, on loopback, for
// tests/action. Prints its port, then serves until killed.
//   GET    /repos/O/R/issues/N/comments?per_page=&page=   (paginated, Link header)
//   POST   /repos/O/R/issues/N/comments
//   PATCH  /repos/O/R/issues/comments/ID
//   GET    /__state   the comments and the request log, for assertions
// Token "test-token" may write; "read-only" gets 403 on writes; others 401.
// usage: node stub_github.mjs SEED_COMMENTS_ON_PR_7
import http from 'node:http';

const comments = [];
const log = [];
let nextId = 1000;
for (let i = 0; i < Number(process.argv[2] || 0); ++i) comments.push({ id: nextId++, pr: '7', body: `unrelated comment ${i}` });

function send(res, status, value, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (chunk) => (raw += chunk));
  req.on('end', () => {
    const url = new URL(req.url, 'http://stub');
    if (url.pathname === '/__state') return send(res, 200, { comments, log });
    log.push(`${req.method} ${url.pathname}${url.search}`);
    const token = (req.headers.authorization || '').replace(/^Bearer /, '');
    if (token !== 'test-token' && token !== 'read-only') return send(res, 401, { message: 'Bad credentials' });
    if (req.headers['x-github-api-version'] !== '2022-11-28') return send(res, 400, { message: 'no API version' });
    let match;
    if ((match = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const pr = match[1];
      if (req.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') || 30);
        const page = Number(url.searchParams.get('page') || 1);
        const all = comments.filter((c) => c.pr === pr);
        const headers = {};
        if (page * perPage < all.length) {
          const next = new URL(url);
          next.searchParams.set('page', String(page + 1));
          headers.Link = `<http://${req.headers.host}${next.pathname}${next.search}>; rel="next"`;
        }
        return send(res, 200, all.slice((page - 1) * perPage, page * perPage), headers);
      }
      if (req.method === 'POST') {
        if (token === 'read-only') return send(res, 403, { message: 'Resource not accessible by integration' });
        const comment = { id: nextId++, pr, body: JSON.parse(raw).body };
        comments.push(comment);
        return send(res, 201, comment);
      }
    }
    if ((match = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
      if (token === 'read-only') return send(res, 403, { message: 'Resource not accessible by integration' });
      const comment = comments.find((c) => c.id === Number(match[1]));
      if (!comment) return send(res, 404, { message: 'Not Found' });
      comment.body = JSON.parse(raw).body;
      return send(res, 200, comment);
    }
    send(res, 404, { message: 'Not Found' });
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
