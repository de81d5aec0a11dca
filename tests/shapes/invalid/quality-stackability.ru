# rule: NSC 4 stackability (info, preferred)
# base: microcredential.ttl
# profile: quality
# expect: Info ; ce-5930553b-3a23-4393-a208-dd3629b4556f ; - ; ceterms:isPartOf | ceterms:isPreparationFor | ceterms:isAdvancedStandingFor | ceterms:isRequiredFor | ceterms:isRecommendedFor | ^ceterms:targetCredential | ^ceterms:proxyFor ; sh:MinCountConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-5930553b-3a23-4393-a208-dd3629b4556f ceterms:isPreparationFor ?c . ?c ?p ?o }
