# rule: declared inverse pairs agree (warning)
# base: registry.ttl
# profile: structure
# expect: Warning ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:hasPart ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
INSERT DATA { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:hasPart res:ce-19706040-53a7-4302-b840-b8bb29463911 . res:ce-19706040-53a7-4302-b840-b8bb29463911 ceterms:isPartOf res:ce-b1f9191b-011d-435f-9d30-a26fbeaf69c1 . res:ce-b1f9191b-011d-435f-9d30-a26fbeaf69c1 a ceterms:LearningProgram }
