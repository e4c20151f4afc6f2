// The browser test's fleet, posted to a real vigia-server as agents would (POST
// /api/v1/reports with the ingest token). Each host's shape is what the test expects to see.

let pidCounter = 100;
const process = (name, command, user = 'root') => ({ pid: pidCounter++, ppid: 1, name, user, command });

function report({ ip, hostname, at, os = ['debian', '12'], processes = [], sessions = [] }) {
  const [id, version] = os;
  return {
    schema_version: 1,
    report_id: crypto.randomUUID(),
    collected_at: new Date(at).toISOString(),
    host: { hostname, ip },
    os: { name: id === 'debian' ? 'Debian GNU/Linux' : 'Ubuntu', version, id, version_id: version, kernel: '6.1.0-13-amd64', arch: 'x86_64' },
    cpu: { model: 'Test CPU', arch: 'x86_64', cores: 2 },
    processes: [process('systemd', '/sbin/init'), process('sshd', '/usr/sbin/sshd -D'), ...processes],
    sessions,
  };
}

const kMinute = 60_000;
const kDay = 86_400_000;

// A fleet of 79 hosts: 60 compliant (two run "cryptominer-x"), 10 running telnetd, 5 on an
// unsupported Ubuntu, 3 silent for two days (stale), and one whose agent reports hostile text.
export function fleet(now = Date.now()) {
  const recent = now - 2 * kMinute;
  const reports = [];
  const name = (n) => `web-${String(n).padStart(2, '0')}`;
  for (let n = 0; n < 60; n++) {
    const extra = n === 5 || n === 7 ? [process('cryptominer-x', '/opt/x/cryptominer-x --pool x')] : [];
    reports.push(report({ ip: `10.1.0.${n}`, hostname: name(n), at: recent, processes: extra }));
  }
  // web-01's verdict on no-telnet changes: pass three days ago, fail two days ago, pass now.
  reports.unshift(report({ ip: '10.1.0.1', hostname: name(1), at: now - 3 * kDay }));
  reports.splice(1, 0, report({ ip: '10.1.0.1', hostname: name(1), at: now - 2 * kDay, processes: [process('telnetd', '/usr/sbin/in.telnetd -L /bin/login')] }));
  for (let n = 60; n < 70; n++) {
    reports.push(report({ ip: `10.1.0.${n}`, hostname: name(n), at: recent, processes: [process('telnetd', `/usr/sbin/telnetd --port 23${n}`)] }));
  }
  for (let n = 70; n < 75; n++) {
    reports.push(report({ ip: `10.1.0.${n}`, hostname: name(n), at: recent, os: ['ubuntu', '20.04'] }));
  }
  for (let n = 75; n < 78; n++) {
    reports.push(report({ ip: `10.1.0.${n}`, hostname: name(n), at: now - 2 * kDay }));
  }
  reports.push(report({
    ip: '10.1.0.99',
    hostname: 'evil<b>host</b>',
    at: recent,
    processes: [
      process(payloads.name, payloads.command, payloads.user),
      process('evil-script', '/tmp/<script>window.__pwned=4</script>'),
    ],
    sessions: [{ user: payloads.user, tty: 'pts/0', remote_host: '<iframe src=/x>' }],
  }));
  return reports;
}

// What the hostile agent sends: each would set window.__pwned if it ever became markup.
export const payloads = {
  name: '<img src=x onerror=window.__pwned=1>',
  command: '/tmp/x "><svg onload=window.__pwned=2><script>window.__pwned=3</script>',
  user: '"><img src=y onerror=window.__pwned=5>',
};

export const expected = { total: 79, compliant: 60, failing: 16, stale: 3, telnet: 10, ubuntu: 5 };

export async function post(url, ingestToken, reports) {
  for (const r of reports) {
    const answer = await fetch(`${url}/api/v1/reports`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ingestToken}` },
      body: JSON.stringify(r),
    });
    if (answer.status !== 201) throw new Error(`report refused: ${answer.status} ${await answer.text()}`);
  }
}
