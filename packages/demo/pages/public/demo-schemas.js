// The demo's message schemas for the script-tag page, which has no build step and so no zod: each is
// a Standard Schema (https://standardschema.dev), which is all the SDK asks of a schema, written by
// hand. test/script-tag-schemas.test.ts checks that they accept and refuse what the zod schemas in
// src/messages.ts do; change both together.
;(function () {
  'use strict'

  // Each check returns what is wrong with a value, or null.
  function string(value) {
    return typeof value === 'string' ? null : 'expected a string'
  }

  function text(value) {
    return typeof value === 'string' && value.length >= 1 && value.length <= 2000 ? null : 'expected a string of 1 to 2000 characters'
  }

  function id(value) {
    return (typeof value === 'string' && value !== '') || Number.isSafeInteger(value) ? null : 'expected a participant id (a non-empty string or an integer)'
  }

  function integer(value) {
    return Number.isSafeInteger(value) ? null : 'expected an integer'
  }

  function optional(check) {
    return function (value) {
      return value === undefined ? null : check(value)
    }
  }

  function listOf(check) {
    return function (value) {
      if (!Array.isArray(value)) return 'expected an array'
      for (var i = 0; i < value.length; i++) {
        var problem = check(value[i])
        if (problem) return 'item ' + i + ': ' + problem
      }
      return null
    }
  }

  /** A schema for messages of `type` whose other fields pass `fields`' checks (other keys are let through). */
  function message(type, fields) {
    function validate(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { issues: [{ message: 'expected an object' }] }
      var issues = value.type === type ? [] : [{ message: 'expected "' + type + '"', path: ['type'] }]
      Object.keys(fields).forEach(function (key) {
        var problem = fields[key](value[key])
        if (problem) issues.push({ message: problem, path: [key] })
      })
      return issues.length > 0 ? { issues: issues } : { value: value }
    }
    return { '~standard': { version: 1, vendor: 'switchboard-demo', validate: validate } }
  }

  window.DemoSchemas = {
    chat: message('chat', { text: text, sender: id, room: optional(string) }),
    create_chatroom: message('create_chatroom', { chatroom: string, participant_ids: listOf(id) }),
    close_chatroom: message('close_chatroom', { chatroom: string }),
    roster: message('roster', { participants: listOf(string) }),
    assignment: message('assignment', { room: string, partner: string, recipient: string }),
    whisper: message('whisper', { text: text, sender: id, recipient: id }),
    round: message('round', { room: string, startsAt: integer, endsAt: integer }),
  }
})()
