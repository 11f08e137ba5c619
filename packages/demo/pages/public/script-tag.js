// The script-tag demo page: no build step, the SDK from window.Switchboard, the identity from
// window.dallinger.identity as a stock Dallinger page has it.
;(function () {
  'use strict'
  var ui = window.DemoUI
  var state = ui.createState()
  ui.mount(document.getElementById('app'), 'Switchboard demo (script tag)')
  function render() {
    ui.render(state)
  }

  function open(name) {
    return ui.track(state, Switchboard.openChannel(name, ui.connectionOptions()), render)
  }

  function joinRoom(room) {
    if (state.connection[room]) return
    open(room).on('chat', function (m) {
      state.roomChat.push({ room: room, sender: String(m.sender), text: m.text })
      render()
    })
    render()
  }

  ui.post('/participant')
    .then(function (created) {
      window.dallinger = { identity: { participantId: created.participant.id, workerId: created.participant.worker_id } }
      return ui.post('/node/' + created.participant.id)
    })
    .then(function () {
      var me = String(window.dallinger.identity.participantId)
      state.participantId = me
      var broadcast = open('broadcast_channel')
      var inbox = open('participant_' + me + '_channel')

      broadcast.on('chat', function (m) {
        state.broadcast.push({ sender: String(m.sender), text: m.text })
        render()
      })
      broadcast.on('roster', function (m) {
        state.roster = m.participants.map(String)
        render()
      })
      broadcast.on('create_chatroom', function (m) {
        if (m.participant_ids.map(String).indexOf(me) >= 0) joinRoom(m.chatroom)
      })
      inbox.on('assignment', function (m) {
        state.room = m.room
        state.partner = m.partner
        state.inbox.push({ type: 'assignment', room: m.room, partner: m.partner })
        joinRoom(m.room)
        render()
      })
      inbox.on('whisper', function (m) {
        state.inbox.push({ type: 'whisper', sender: String(m.sender), text: m.text })
        render()
      })

      ui.onSubmit('broadcast-form', function (f) {
        broadcast.send({ type: 'chat', text: f.text, sender: me })
      })
      ui.onSubmit('room-form', function (f) {
        if (state.room) Switchboard.openChannel(state.room).send({ type: 'chat', text: f.text, sender: me, room: state.room })
      })
      ui.onSubmit('whisper-form', function (f) {
        inbox.sendTo('experiment_channel', { type: 'whisper', text: f.text, sender: me, recipient: f.recipient })
      })
      render()
    })
    .catch(function (error) {
      state.errors.push({ code: 'SETUP', message: String(error) })
      render()
    })
})()
