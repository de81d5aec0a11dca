# rule: a CTID is written in lower case (upper-case hexadecimal breaks the grammar)
# base: registry.ttl
# profile: structure
# expect: Violation ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:ctid ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:ctid ?d } ; INSERT DATA { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:ctid "ce-FEFFD318-45b9-4009-9f60-99d0fb8c48fe" }
