// The <script> tag entry: the IIFE build assigns this namespace to `window.Switchboard`.
import * as Switchboard from './index.js'

export default Switchboard
