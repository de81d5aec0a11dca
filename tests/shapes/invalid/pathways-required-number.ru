# rule: a condition's requiredNumber does not exceed its targets
# base: pathway.ttl
# profile: pathways
# expect: Violation ; ce-9fe5f431-1aa8-4521-859c-38aeb856ea44 ; ceterms:hasCondition ; ceterms:requiredNumber ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE { ?c ceterms:requiredNumber 2 } INSERT { ?c ceterms:requiredNumber 3 } WHERE { res:ce-9fe5f431-1aa8-4521-859c-38aeb856ea44 ceterms:hasCondition ?c }
