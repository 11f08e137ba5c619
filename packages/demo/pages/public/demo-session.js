// This tab's participant, shared by both demo pages. Dallinger keeps a participant's identity in the
// browser's storage; the demo uses sessionStorage because it is per tab and outlives a reload: a
// reload is the same participant (same id, same credential, no second POST /participant), a new tab
// is a new one. (A tab the browser duplicates copies its sessionStorage, and so its participant.)
;(function () {
  'use strict'

  var PARTICIPANT_KEY = 'switchboard-demo:participant'
  var ASSIGNMENT_KEY = 'switchboard-demo:assignment'
  // Whether this load reused the kept participant.
  var restored = false
  // Whether the server took this credential on some channel of this page, and whether the tab is starting over.
  var accepted = false
  var startingOver = false

  // Storage can be unavailable (blocked cookies, some private modes): the tab then starts afresh on
  // every load, as it did before identities were kept.
  function read(key) {
    try {
      return JSON.parse(sessionStorage.getItem(key) || 'null')
    } catch (error) {
      return null
    }
  }

  function write(key, value) {
    try {
      if (value === null) sessionStorage.removeItem(key)
      else sessionStorage.setItem(key, JSON.stringify(value))
    } catch (error) {
      // Not kept: a reload will be a new participant.
    }
  }

  function isText(value) {
    return typeof value === 'string' && value !== ''
  }

  /** Dallinger's participant and agent creation, as a page does it. */
  function post(path) {
    return fetch(path, { method: 'POST' }).then(function (response) {
      if (!response.ok) throw new Error('POST ' + path + ' answered ' + response.status)
      return response.json()
    })
  }

  /**
   * The stored participant, or a new one (POST /participant, then its node, as a Dallinger page
   * does), stored for the next load. `restored` says which.
   */
  function start() {
    var kept = read(PARTICIPANT_KEY)
    if (kept && isText(kept.participantId) && isText(kept.workerId) && isText(kept.token)) {
      restored = true
      return Promise.resolve({ participantId: kept.participantId, workerId: kept.workerId, token: kept.token, restored: true })
    }
    var created
    return post('/participant')
      .then(function (answer) {
        created = { participantId: String(answer.participant.id), workerId: String(answer.participant.worker_id), token: answer.token }
        return post('/node/' + created.participantId)
      })
      .then(function () {
        write(PARTICIPANT_KEY, created)
        write(ASSIGNMENT_KEY, null)
        return { participantId: created.participantId, workerId: created.workerId, token: created.token, restored: false }
      })
  }

  /** The room and partner this tab was assigned, if it kept them. */
  function assignment() {
    var kept = read(ASSIGNMENT_KEY)
    return kept && isText(kept.room) && isText(kept.partner) ? { room: kept.room, partner: kept.partner } : null
  }

  /** Keeps the assignment (or forgets it, with null). */
  function saveAssignment(value) {
    write(ASSIGNMENT_KEY, value && { room: value.room, partner: value.partner })
  }

  /**
   * A credential the server no longer takes would be refused forever: 4410, the server lost its state
   * (a restart without persistence) and the participant is gone for good (its id is never given out
   * again), or 4401, a server that no longer knows the secret it was made with. When the server took
   * it before (a channel opened with it, or it was kept from an earlier load), the tab forgets it and
   * reloads as a new participant, whichever of its channels hears the refusal first. A credential
   * refused from the start stays refused, so this never loops.
   */
  function startOverWhenRefused(channel) {
    channel.onStateChange(function (change) {
      if (change.next === 'open') accepted = true
    })
    channel.onError(function (error) {
      if (error.code !== 'CONNECTION_REFUSED' || (error.closeCode !== 4410 && error.closeCode !== 4401)) return
      if (!(restored || accepted) || startingOver) return
      startingOver = true
      write(PARTICIPANT_KEY, null)
      write(ASSIGNMENT_KEY, null)
      location.reload()
    })
    return channel
  }

  window.DemoSession = { start: start, assignment: assignment, saveAssignment: saveAssignment, startOverWhenRefused: startOverWhenRefused }
})()
