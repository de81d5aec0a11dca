# rule: human-language text carries a language tag (warning)
# base: registry.ttl
# profile: structure
# expect: Warning ; ce-19706040-53a7-4302-b840-b8bb29463911 ; - ; ceterms:name ; sh:NotConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-19706040-53a7-4302-b840-b8bb29463911 ceterms:name ?d } ; INSERT DATA { res:ce-19706040-53a7-4302-b840-b8bb29463911 ceterms:name "Widget Press Operation" }
