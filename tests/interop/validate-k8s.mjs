// Validates rendered Kubernetes manifests (multi-document YAML on stdin) offline against the Kubernetes
// OpenAPI schemas bundled in the pinned `kubernetes-models` package, and prints them back as JSON:
//   kubectl kustomize k8s | node validate-k8s.mjs   →   {"documents":[…],"errors":[{"kind","name","error"}]}
import { parseAllDocuments } from 'yaml'

let input = ''
for await (const chunk of process.stdin) input += chunk
const documents = parseAllDocuments(input).map(d => d.toJSON()).filter(d => d != null)
const errors = []
for (const doc of documents) {
  const where = { kind: doc.kind, name: doc.metadata?.name }
  try {
    const module = await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`)
    const Model = module.default ?? module[doc.kind]
    new Model(doc).validate()
  } catch (err) {
    errors.push({ ...where, error: String(err?.message ?? err).slice(0, 2000) })
  }
}
console.log(JSON.stringify({ documents, errors }))
