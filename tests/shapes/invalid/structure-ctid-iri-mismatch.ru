# rule: the CTID is the tail of the registry IRI
# base: registry.ttl
# profile: structure
# expect: Violation ; ce-43695094-c256-4c49-b2cb-39b91b6ee4e5 ; - ; ceterms:ctid ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-43695094-c256-4c49-b2cb-39b91b6ee4e5 ceterms:ctid ?d } ; INSERT DATA { res:ce-43695094-c256-4c49-b2cb-39b91b6ee4e5 ceterms:ctid "ce-43695094-c256-4c49-b2cb-39b91b6ee4e6" }
