# rule: a pathway with components has a destination
# base: pathway.ttl
# profile: pathways
# expect: Violation ; ce-6f6f2c7a-35d5-4f14-84bd-83918c1f4c9b ; - ; ceterms:hasDestinationComponent ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-6f6f2c7a-35d5-4f14-84bd-83918c1f4c9b ceterms:hasDestinationComponent ?d }
