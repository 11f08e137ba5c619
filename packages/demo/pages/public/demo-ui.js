// The demo pages' user interface, shared by the ES-module page and the script-tag page.
// It only renders: connecting is each page's own business, and who the tab is demo-session.js's.
// Chat text is always set as text, never HTML.
;(function () {
  'use strict'

  var ROOM_WAITING = 'waiting for a partner'

  var SECTIONS = [
    ['Connection', 'connection'],
    ['Who is here', 'roster'],
    ['Broadcast', 'broadcast-feed', 'broadcast-form', 'Say something to everyone'],
    ['Your chatroom', 'room-feed', 'room-form', 'Say something to your room'],
    ['Private inbox', 'inbox', 'whisper-form', 'Whisper (to the participant id on the left)'],
    ['Problems', 'errors'],
  ]

  function el(tag, attrs, text) {
    var node = document.createElement(tag)
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key])
    })
    if (text !== undefined) node.textContent = text
    return node
  }

  function createState() {
    return { participantId: null, restored: false, connection: {}, reconnects: {}, roster: [], broadcast: [], room: null, partner: null, roomChat: [], inbox: [], errors: [], gaps: [], clock: null, round: null, roundStartedAt: null, partnerHere: null }
  }

  /** Builds the page's sections in `root`; the page's own HTML says what it demonstrates. */
  function mount(root) {
    var who = el('p', {}, 'Participant ')
    who.appendChild(el('strong', { 'data-testid': 'participant' }, '…'))
    root.appendChild(who)
    SECTIONS.forEach(function (section) {
      var box = el('section', { class: 'card' })
      box.appendChild(el('h2', {}, section[0]))
      if (section[1] === 'room-feed') {
        box.appendChild(el('p', { 'data-testid': 'room-status', class: 'hint' }, ROOM_WAITING))
        box.appendChild(el('p', { 'data-testid': 'round-status', class: 'hint' }, ''))
      }
      box.appendChild(el('ul', { 'data-testid': section[1] }))
      if (section[2]) {
        var form = el('form', { 'data-testid': section[2] })
        if (section[2] === 'whisper-form') form.appendChild(el('input', { name: 'recipient', placeholder: 'id', size: '3', 'aria-label': 'recipient id', required: '' }))
        form.appendChild(el('input', { name: 'text', placeholder: section[3], 'aria-label': section[3], autocomplete: 'off', required: '' }))
        form.appendChild(el('button', { type: 'submit' }, 'Send'))
        box.appendChild(form)
      }
      root.appendChild(box)
    })
    var details = el('details', {})
    details.appendChild(el('summary', {}, 'State as JSON'))
    details.appendChild(el('pre', { 'data-testid': 'state' }, '{}'))
    root.appendChild(details)
  }

  function fill(testid, items, format) {
    var list = document.querySelector('[data-testid="' + testid + '"]')
    list.replaceChildren.apply(
      list,
      items.map(function (item) {
        return el('li', {}, format(item))
      }),
    )
  }

  function render(state) {
    state.partnerHere = partnerHere(state)
    document.querySelector('[data-testid="participant"]').textContent = state.participantId === null ? '…' : state.participantId
    fill('connection', Object.keys(state.connection), function (name) {
      return name + ': ' + state.connection[name]
    })
    fill('roster', state.roster, function (id) {
      return 'participant ' + id + (id === state.participantId ? ' (you)' : '')
    })
    fill('broadcast-feed', state.broadcast, function (m) {
      return m.sender + ': ' + m.text
    })
    // Until the experiment's assignment, there is no room to talk to: the form keeps what is typed
    // (its Send is off) and says why.
    document.querySelector('[data-testid="room-status"]').textContent =
      state.room === null ? ROOM_WAITING : 'you are in ' + state.room + ' with participant ' + state.partner + (state.partnerHere === null ? '' : state.partnerHere ? ' (here)' : ' (away)')
    document.querySelector('[data-testid="room-form"] button').disabled = state.room === null
    document.querySelector('[data-testid="round-status"]').textContent = roundStatus(state)
    fill('room-feed', state.roomChat, function (m) {
      return '[' + m.room + '] ' + m.sender + ': ' + m.text
    })
    fill('inbox', state.inbox, function (m) {
      return m.type === 'whisper' ? 'whisper from ' + m.sender + ': ' + m.text : 'you are in ' + m.room + ' with participant ' + m.partner
    })
    fill('errors', state.errors.concat(state.gaps), function (e) {
      return e.code ? e.code + ': ' + e.message : e.channel + ': messages after ' + e.since + ' up to ' + e.last + ' were lost'
    })
    document.querySelector('[data-testid="state"]').textContent = JSON.stringify(state, null, 2)
  }

  // The server's clock (createServerClock), once watchClock() was given one.
  var serverClock = null
  var ticking = false

  /** Mirrors the server clock's estimate into the page state (the countdown reads the clock itself). */
  function watchClock(state, clock, render) {
    serverClock = clock
    clock.onChange(function (estimate) {
      state.clock = { offsetMs: Math.round(estimate.offsetMs), uncertaintyMs: estimate.uncertaintyMs, rttMs: estimate.rttMs }
      render()
    })
  }

  /**
   * A timed round from the experiment, in the server's time: it starts when the server's clock says
   * so, on every page at once, and its countdown is the same in every tab, also after a reload (the
   * room gives the round again). `roundStartedAt` is this page's clock when it began.
   */
  function followRound(state, round, render) {
    if (state.round && state.round.startsAt === round.startsAt) return
    state.round = { room: round.room, startsAt: round.startsAt, endsAt: round.endsAt }
    if (serverClock) {
      serverClock.at(round.startsAt, function () {
        state.roundStartedAt = performance.timeOrigin + performance.now()
        render()
      })
      serverClock.at(round.endsAt, render)
    }
    if (!ticking) {
      ticking = true
      setInterval(render, 250)
    }
    render()
  }

  /** The roster is who is present on the broadcast channel, as the server counts it (by participant, with a grace period). */
  function followRoster(state, presence, render) {
    function update() {
      state.roster = presence.present
      render()
    }
    presence.onJoin(update)
    presence.onLeave(update)
  }

  // The presence of each room the page follows, by room name.
  var roomPresence = {}

  /** Whether the partner is on the room's channel now: it shows "(away)" only after the server's grace period. */
  function followPartner(state, presence, render, room) {
    roomPresence[room] = presence
    presence.onJoin(render)
    presence.onLeave(render)
  }

  function partnerHere(state) {
    var presence = state.room === null ? undefined : roomPresence[state.room]
    return presence && state.partner !== null ? presence.has(state.partner) : null
  }

  function roundStatus(state) {
    var round = state.round
    if (!round) return ''
    var now = serverClock && serverClock.now()
    if (now === undefined || now === null) return 'a round is coming (waiting for the server’s clock)'
    if (now < round.startsAt) return 'the round starts in ' + Math.ceil((round.startsAt - now) / 1000) + ' s'
    if (now < round.endsAt) return Math.ceil((round.endsAt - now) / 1000) + ' s left in the round'
    return 'the round is over'
  }

  /**
   * Calls handler(fields) on submit and clears the text field, unless the handler returns false (it
   * sent nothing): what was typed stays, to be sent when it can be.
   */
  function onSubmit(testid, handler) {
    var form = document.querySelector('[data-testid="' + testid + '"]')
    form.addEventListener('submit', function (event) {
      event.preventDefault()
      var fields = Object.fromEntries(new FormData(form))
      if (handler(fields) !== false) form.elements.namedItem('text').value = ''
    })
  }

  /** Mirrors a channel's state, reconnects and errors into the page state. */
  function track(state, channel, render) {
    var name = channel.name
    state.connection[name] = channel.state
    state.reconnects[name] = 0
    channel.onStateChange(function (change) {
      state.connection[name] = change.next
      if (change.prev === 'open' && change.next === 'reconnecting') state.reconnects[name] += 1
      render()
    })
    channel.onError(function (error) {
      state.errors.push({ code: error.code, message: error.message, raw: error.raw })
      render()
    })
    channel.onGap(function (gap) {
      state.gaps.push({ channel: name, since: gap.since, last: gap.last })
      render()
    })
    return channel
  }

  /** Client options from the page's query, e.g. ?minDelayMs=200&maxDelayMs=1000 (tests use short delays), ?resume=0. */
  function connectionOptions() {
    var query = new URLSearchParams(location.search)
    var options = {}
    ;['minDelayMs', 'maxDelayMs', 'connectTimeoutMs', 'heartbeatIntervalMs', 'heartbeatTimeoutMs'].forEach(function (key) {
      if (query.has(key)) options[key] = Number(query.get(key))
    })
    if (query.has('debug')) options.debug = true
    if (query.get('resume') === '0') options.resume = false
    return options
  }

  window.DemoUI = {
    createState: createState,
    mount: mount,
    render: render,
    onSubmit: onSubmit,
    track: track,
    connectionOptions: connectionOptions,
    watchClock: watchClock,
    followRound: followRound,
    followRoster: followRoster,
    followPartner: followPartner,
  }
})()
