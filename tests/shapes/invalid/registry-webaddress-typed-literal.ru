# rule: a web address given as an xsd:anyURI literal is a warning
# base: registry.ttl
# profile: registry
# expect: Warning ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:subjectWebpage ; sh:NotConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:subjectWebpage ?d } ; INSERT DATA { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:subjectWebpage "https://widgets.example.org/certification"^^xsd:anyURI }
