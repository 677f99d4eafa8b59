// Start a local AT Protocol network (PLC + PDS [+ bsky AppView + ozone]) on loopback.
// ATP_MODE=full (default; needs DB_POSTGRES_URL + REDIS_HOST) or ATP_MODE=pds (PLC+PDS only).
// Writes a JSON line "READY {...}" to stdout and, if ATP_READY_FILE is set, to that file.
// Every service binds an ephemeral port (chosen by dev-env); the READY line says which.
// Control server on ATP_CONTROL_PORT (default 0 = ephemeral, loopback only):
// POST /process-all -> wait until the AppView indexed everything the PDS emitted.
const { TestNetwork, TestNetworkNoAppView } = require('@atproto/dev-env')
const http = require('http')
const fs = require('fs')

const mode = process.env.ATP_MODE || 'full'
const t0 = Date.now()

async function main() {
  let net
  if (mode === 'full') {
    net = await TestNetwork.create({
      dbPostgresUrl: process.env.DB_POSTGRES_URL,
      dbPostgresSchema: process.env.DB_POSTGRES_SCHEMA || 'ci',
      pds: { hostname: 'localhost' },
      bsky: { dbPostgresSchema: 'bsky' },
    })
  } else {
    net = await TestNetworkNoAppView.create({
      pds: { hostname: 'localhost' },
    })
  }
  const info = {
    mode,
    startup_ms: Date.now() - t0,
    plc: net.plc.url,
    pds: net.pds.url,
    appview: net.bsky ? net.bsky.url : null,
    appviewDid: net.bsky ? net.bsky.serverDid : null,
    ozone: net.ozone ? net.ozone.url : null,
    pid: process.pid,
  }
  const ctlPort = Number(process.env.ATP_CONTROL_PORT || 0)
  const ctl = http.createServer(async (req, res) => {
    try {
      if (req.url === '/process-all') {
        const t = Date.now()
        await net.processAll()
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ ok: true, ms: Date.now() - t }))
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ...info, rss_mb: Math.round(process.memoryUsage().rss / 1048576) }))
    } catch (e) {
      res.writeHead(500); res.end(String(e && e.stack || e))
    }
  })
  await new Promise((r) => ctl.listen(ctlPort, '127.0.0.1', r))
  info.control = `http://127.0.0.1:${ctl.address().port}`
  const line = JSON.stringify(info)
  if (process.env.ATP_READY_FILE) fs.writeFileSync(process.env.ATP_READY_FILE, line)
  console.log('READY ' + line)
  const shutdown = async () => {
    console.log('shutting down')
    ctl.close()
    try { await net.close() } catch (e) { console.error(e) }
    process.exit(0)
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}
main().catch((e) => { console.error('FAILED', e); process.exit(1) })
