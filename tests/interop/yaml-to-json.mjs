// YAML on stdin (e.g. `docker-compose config`), printed back as JSON: node yaml-to-json.mjs < compose.rendered.yml
import { parse } from 'yaml'

let input = ''
for await (const chunk of process.stdin) input += chunk
console.log(JSON.stringify(parse(input)))
