// Real mail servers for tests: an SMTP server (the `smtp-server` package, real protocol on 127.0.0.1) that records
// what it accepts and can be told to refuse, and a real Dovecot IMAP server run as its own process from a generated
// config in a temp dir (plaintext on 127.0.0.1, one passwd-file user, a temp maildir). Dovecot must be installed
// (Debian: `apt-get install dovecot-imapd`; .ci/run does it): a missing binary fails the test, it never skips.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports.js';

// ---------------------------------------------------------------------------------------------------------- SMTP

export interface ReceivedMail {
  envelope: { mailFrom: string | false; rcptTo: string[] };
  /** The authenticated user, when the client logged in. */
  user?: string;
  raw: Buffer;
}

/** An SMTP error reply: `code` is the reply code the server answers with. */
export interface SmtpReply {
  code: number;
  message: string;
}

export interface SmtpServerHandle {
  host: string;
  port: number;
  /** Set when the server requires AUTH. */
  user?: string;
  pass?: string;
  received: ReceivedMail[];
  /** Sticky refusals: while set, the command is answered with this reply. */
  refuse: { auth?: SmtpReply; mailFrom?: SmtpReply; rcptTo?: SmtpReply; data?: SmtpReply };
  stop(): Promise<void>;
}

const replyError = (r: SmtpReply) => Object.assign(new Error(r.message), { responseCode: r.code });

/** Starts an SMTP server on 127.0.0.1:<free port>. With `user`/`pass`, AUTH is required and checked. */
export async function startSmtpServer(opts: { user?: string; pass?: string } = {}): Promise<SmtpServerHandle> {
  const handle: SmtpServerHandle = {
    host: '127.0.0.1',
    port: 0,
    received: [],
    refuse: {},
    stop: async () => {},
    ...(opts.user !== undefined && { user: opts.user, pass: opts.pass ?? '' }),
  };
  const server = new SMTPServer({
    authOptional: opts.user === undefined,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (handle.refuse.auth) return cb(replyError(handle.refuse.auth));
      if (auth.username !== opts.user || auth.password !== opts.pass)
        return cb(replyError({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
      cb(null, { user: auth.username });
    },
    onMailFrom(_address, _session, cb) {
      cb(handle.refuse.mailFrom ? replyError(handle.refuse.mailFrom) : null);
    },
    onRcptTo(_address, _session, cb) {
      cb(handle.refuse.rcptTo ? replyError(handle.refuse.rcptTo) : null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (handle.refuse.data) return cb(replyError(handle.refuse.data));
        handle.received.push({
          envelope: {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
          },
          ...(typeof session.user === 'string' && { user: session.user }),
          raw: Buffer.concat(chunks),
        });
        cb(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  handle.port = (server.server.address() as AddressInfo).port;
  handle.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return handle;
}

// ------------------------------------------------------------------------------------------------------- Dovecot

export interface DovecotHandle {
  host: string;
  port: number;
  user: string;
  pass: string;
  /** IMAP APPENDs a raw message (default mailbox INBOX, internal date now). */
  append(raw: string | Buffer, opts?: { mailbox?: string; date?: Date }): Promise<{ uid: number; uidValidity: number }>;
  /** Runs `fn` on a logged-in IMAP connection (to create or delete mailboxes, ...). */
  imap<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** Dovecot's log so far (for failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** The dovecot binary: DOVECOT_BIN, else on PATH or in the sbin folders a non-root PATH often lacks. */
export function findDovecot(): string | undefined {
  if (process.env.DOVECOT_BIN) return existsSync(process.env.DOVECOT_BIN) ? process.env.DOVECOT_BIN : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return dirs
    .filter((d) => d.startsWith('/'))
    .map((d) => join(d, 'dovecot'))
    .find((p) => existsSync(p));
}

const MISSING =
  'the `dovecot` binary was not found (email connector IMAP tests run a real Dovecot). Install it: ' +
  '`apt-get install -y dovecot-imapd` (Debian/Ubuntu; .ci/run does this), or set DOVECOT_BIN to its path.';

function passwdEntry(name: string): { uid: number; gid: number } | undefined {
  const line = readLines('/etc/passwd').find((l) => l.split(':')[0] === name);
  const f = line?.split(':');
  return f && f.length > 3 ? { uid: Number(f[2]), gid: Number(f[3]) } : undefined;
}
function groupName(gid: number): string | undefined {
  return readLines('/etc/group')
    .map((l) => l.split(':'))
    .find((f) => Number(f[2]) === gid)?.[0];
}
function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/**
 * Who Dovecot's processes run as. As root, the master drops to its usual unprivileged users and the mailbox belongs
 * to `nobody` (Dovecot refuses mail access as uid 0). As anyone else, everything runs as that user.
 */
function identities() {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) {
    const me = userInfo();
    const group = groupName(me.gid);
    return {
      internalUser: me.username,
      internalGroup: group,
      loginUser: me.username,
      mailUid: me.uid,
      mailGid: me.gid,
    };
  }
  const nobody = passwdEntry('nobody') ?? { uid: 65534, gid: 65534 };
  const hasDovecot = passwdEntry('dovecot') !== undefined;
  return {
    internalUser: hasDovecot ? 'dovecot' : 'nobody',
    internalGroup: hasDovecot ? 'dovecot' : groupName(nobody.gid),
    loginUser: passwdEntry('dovenull') ? 'dovenull' : 'nobody',
    mailUid: nobody.uid,
    mailGid: nobody.gid,
  };
}

function config(dir: string, port: number, who: ReturnType<typeof identities>): string {
  return `# Generated by test/mail-servers.ts: a throwaway plaintext IMAP server on 127.0.0.1.
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = confluo-test-${port}
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose; the default 2 s penalty only slows them down.
auth_failure_delay = 0
default_internal_user = ${who.internalUser}
${who.internalGroup ? `default_internal_group = ${who.internalGroup}` : ''}
default_login_user = ${who.loginUser}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:${dir}/mail/%u
mail_fsync = never
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${who.mailUid} gid=${who.mailGid} home=${dir}/mail/%u
}
# No anvil auth penalty (a login after a failed one would wait seconds): without this socket it is off.
# No chroot anywhere: an unprivileged Dovecot cannot chroot.
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

/** Resolves once the port answers with an IMAP greeting. */
function greeting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('data', (d) => done(d.toString().startsWith('* OK')));
    sock.once('error', () => done(false));
  });
}

/** Starts Dovecot with its own config in a temp dir; `stop()` ends it and removes the dir. */
export async function startDovecot(): Promise<DovecotHandle> {
  const bin = findDovecot();
  if (!bin) throw new Error(MISSING);
  const who = identities();
  const dir = await mkdtemp(join(tmpdir(), 'confluo-dovecot-'));
  // The mail processes run as the mail user: they must be able to reach the maildir.
  await chmod(dir, 0o711);
  await mkdir(join(dir, 'mail'));
  await chown(join(dir, 'mail'), who.mailUid, who.mailGid);
  const user = 'confluo';
  const pass = randomBytes(12).toString('hex');
  await writeFile(join(dir, 'users'), `${user}:{PLAIN}${pass}\n`, { mode: 0o644 });
  const log = () => readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => '');

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = join(dir, 'dovecot.conf');
    await writeFile(conf, config(dir, port, who), { mode: 0o644 });
    const child = spawn(bin, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', (code) => ((exitCode = code), resolve())));
    child.once('error', (err) => ((output += String(err)), (exitCode = -1)));

    const deadline = Date.now() + 15_000;
    let ready = false;
    while (!ready && exitCode === undefined && Date.now() < deadline) {
      ready = await greeting(port);
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    if (ready) {
      const stop = async () => {
        if (exitCode === undefined) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
      };
      const connect = async () => {
        const client = new ImapFlow({
          host: '127.0.0.1',
          port,
          secure: false,
          auth: { user, pass },
          logger: false,
          disableAutoIdle: true,
        });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      };
      const imap = async <T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> => {
        const client = await connect();
        try {
          return await fn(client);
        } finally {
          await client.logout().catch(() => client.close());
        }
      };
      return {
        host: '127.0.0.1',
        port,
        user,
        pass,
        log,
        stop,
        imap,
        append: (raw, opts = {}) =>
          imap(async (client) => {
            const res = await client.append(opts.mailbox ?? 'INBOX', raw, [], opts.date);
            if (!res || res.uid === undefined)
              throw new Error(`Dovecot did not report the UID of the appended message: ${JSON.stringify(res)}`);
            return { uid: res.uid, uidValidity: Number(res.uidValidity) };
          }),
      };
    }
    if (exitCode === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
    const why = `${output}\n${await log()}`;
    // Another process may have taken the port between freePort() and Dovecot's bind.
    if (/Address already in use/.test(why) && attempt < 3) continue;
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `Dovecot (${bin}) did not start on 127.0.0.1:${port}${exitCode !== undefined ? ` (exit code ${exitCode})` : ' within 15 s'}:\n${why.trim()}`,
    );
  }
}
