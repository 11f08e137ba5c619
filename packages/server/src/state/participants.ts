import type { SharedState } from './shared-state.js'

/** Participants and their agents (nodes), shaped like Dallinger's JSON, kept in the shared state. */
export interface Participant {
  id: number
  worker_id: string
  hit_id: string
  assignment_id: string
  mode: string
  status: 'working'
  creation_time: string
}

export interface AgentNode {
  id: number
  participant_id: number
  network_id: number
  type: 'Agent'
  failed: false
  creation_time: string
}

export class ParticipantStore {
  constructor(private readonly state: SharedState) {}

  /** A new participant on every call, so each tab is its own participant; its id is never given out again, not even after a restart that lost the state. */
  async create(ids: Partial<Pick<Participant, 'worker_id' | 'hit_id' | 'assignment_id' | 'mode'>> = {}): Promise<Participant> {
    const id = await this.state.uniqueId('participant_ids')
    const participant: Participant = {
      id,
      worker_id: ids.worker_id ?? `worker_${id}`,
      hit_id: ids.hit_id ?? 'switchboard_hit',
      assignment_id: ids.assignment_id ?? `assignment_${id}`,
      mode: ids.mode ?? 'debug',
      status: 'working',
      creation_time: new Date().toISOString(),
    }
    await this.state.set(`participant:${id}`, JSON.stringify(participant))
    return participant
  }

  async get(id: number): Promise<Participant | undefined> {
    const stored = await this.state.get(`participant:${id}`)
    return stored === undefined ? undefined : (JSON.parse(stored) as Participant)
  }

  /** The participant's agent, created on the first call; undefined for an unknown participant. */
  async createNode(participantId: number): Promise<AgentNode | undefined> {
    if (!(await this.get(participantId))) return undefined
    const candidate: AgentNode = {
      id: await this.state.uniqueId('node_ids'),
      participant_id: participantId,
      network_id: 1,
      type: 'Agent',
      failed: false,
      creation_time: new Date().toISOString(),
    }
    return JSON.parse(await this.state.setIfAbsent(`node:${participantId}`, JSON.stringify(candidate))) as AgentNode
  }
}
