# rule: a text property holds text
# base: registry.ttl
# profile: structure
# expect: Violation ; ce-19706040-53a7-4302-b840-b8bb29463911 ; - ; ceterms:name ; sh:NodeKindConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-19706040-53a7-4302-b840-b8bb29463911 ceterms:name ?d } ; INSERT DATA { res:ce-19706040-53a7-4302-b840-b8bb29463911 ceterms:name <https://widgets.example.org/course> }
