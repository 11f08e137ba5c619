// The coordination game's page logic, shared by the <script>-tag page (index.html) and the ES-module
// page (module.html): each passes in the Switchboard client it loaded. State is mirrored as JSON in
// #state, so a test (or you, in the console) can see exactly where the page stands.
window.playCoordination = async function (Switchboard) {
  var view = {
    status: document.getElementById('status'),
    colours: document.getElementById('colours'),
    history: document.getElementById('history'),
    state: document.getElementById('state'),
  }
  var state = { participant: null, partner: null, phase: 'joining', round: 0, rounds: 0, picked: null, reveals: [], matches: null, log: [] }

  function render(text) {
    if (text) view.status.textContent = text
    view.state.textContent = JSON.stringify(state)
    var canPick = state.phase === 'picking' && state.picked === null
    Array.prototype.forEach.call(view.colours.querySelectorAll('button'), function (button) {
      button.disabled = !canPick
    })
  }

  // The participant, kept for this tab: a reload is the same participant (as Dallinger keeps its identity).
  var me = JSON.parse(sessionStorage.getItem('coordination-participant') || 'null')
  if (!me) {
    var created = await (await fetch('/participant', { method: 'POST' })).json()
    me = { id: String(created.participant.id), token: created.token }
    sessionStorage.setItem('coordination-participant', JSON.stringify(me))
    await fetch('/node/' + me.id, { method: 'POST' }) // createAgent
  }
  state.participant = me.id
  render('waiting for a partner…')

  var sb = Switchboard.createClient({ credential: me.token, identity: { participantId: me.id } })
  var mine = sb.openPrivateChannel()
  mine.onStateChange(function (change) {
    if (change.next !== 'open') render('connection: ' + change.next)
  })
  mine.onError(function (error) {
    state.log.push('error ' + error.code)
    render()
  })

  mine.on('start', function (m) {
    state.partner = m.partner
    state.rounds = m.rounds
    if (state.phase === 'joining') {
      state.phase = 'picking'
      state.round = 1
    }
    state.log.push('start')
    render('round ' + state.round + ' of ' + state.rounds + ': pick a colour')
  })
  mine.on('round', function (m) {
    state.phase = 'picking'
    state.round = m.round
    state.picked = null
    state.log.push('round ' + m.round)
    render('round ' + m.round + ' of ' + state.rounds + ': pick a colour')
  })
  mine.on('picked', function (m) {
    state.picked = m.colour
    state.log.push('picked ' + m.round)
    render('you picked ' + m.colour + '; waiting for your partner…')
  })
  mine.on('reveal', function (m) {
    state.reveals.push(m)
    state.log.push('reveal ' + m.round + ' ' + m.yours + '/' + m.theirs)
    var line = document.createElement('li')
    line.textContent = 'round ' + m.round + ': you ' + m.yours + ', partner ' + m.theirs + (m.match ? ' (match!)' : '')
    view.history.appendChild(line)
    render()
  })
  mine.on('finished', function (m) {
    state.phase = 'finished'
    state.matches = m.matches
    state.log.push('finished')
    render('game over: ' + m.matches + ' of ' + m.rounds + ' rounds matched')
  })
  mine.on('partner_left', function () {
    state.phase = 'abandoned'
    render('your partner left the game')
  })

  view.colours.addEventListener('click', function (event) {
    var colour = event.target.getAttribute('data-colour')
    if (!colour || state.picked !== null || state.phase !== 'picking') return
    state.log.push('sent ' + state.round + ' ' + colour)
    mine.sendTo('experiment_channel', { type: 'pick', round: state.round, colour: colour, sender: me.id })
    render()
  })
}
