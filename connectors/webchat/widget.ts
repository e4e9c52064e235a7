// Where the embeddable widget's source is, for the server to serve at GET /webchat/widget.js. It is plain browser
// JavaScript (no build step, no imports), so this folder ships it as is.
import { fileURLToPath } from 'node:url';

export const WIDGET_FILE = fileURLToPath(new URL('./widget/widget.js', import.meta.url));
